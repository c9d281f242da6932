"""Name pools for Uttar Pradesh and Delhi NCR, most common first.

Order matters: sampling weights fall off with rank (Zipf-like), so the first names of
each list are the "Sunita", "Ram" and "Yadav" that make plain name matching hard.
"""
from __future__ import annotations

HINDU_MALE = """
Ram Rajesh Suresh Ramesh Mukesh Sunil Anil Rakesh Manoj Santosh Vinod Ashok Sanjay Dinesh
Pradeep Vijay Ajay Amit Rahul Deepak Pankaj Raju Sandeep Rajendra Shyam Krishna Mahesh Naresh
Umesh Dharmendra Virendra Surendra Pawan Arvind Alok Ravi Sachin Vikas Neeraj Sonu Pappu Rajiv
Sanjeev Satish Harish Girish Jitendra Mahendra Narendra Devendra Yogendra Shailendra Brijesh
Awadhesh Kamlesh Shiv Om Hari Mohan Sohan Gopal Govind Radheshyam Ramkishan Jagdish Kailash
Prakash Omprakash Jai Lalit Lakhan Laxman Bharat Shatrughan Ramji Shivam Shubham Abhishek Ankit
Anuj Ankur Ashish Gaurav Saurabh Vishal Vivek Nitin Rohit Mohit Sumit Akash Aman Aditya Ritesh
Rupesh Yogesh Hitesh Lokesh Kapil Nikhil Prashant Prem Pramod Subhash Sushil Anand Arun Ashwani
Bablu Bhola Birju Chandan Chhotelal Dayaram Dhanraj Dilip Ganesh Gyan Hemant Indrajeet Jagannath
Jeevan Kallu Kishan Kuldeep Madan Manish Mangal Mithilesh Munna Nandkishore Pooran Rajan Rajveer
Raghuvir Rambabu Ramchandra Ramdas Ramnaresh Ranjeet Sahdev Shankar Shekhar Siyaram Sudhir
Sunder Tejpal Tulsiram Uday Vinay Vipin Lav Kush Balram Baldev Chandrapal Harpal Jaipal Mahipal
Satpal Rampal Dharampal Monu Bhupendra Rajkumar
"""

HINDU_FEMALE = """
Sunita Anita Geeta Sita Rekha Savitri Kamla Pushpa Usha Asha Meena Manju Suman Kiran Saroj Urmila
Shanti Kusum Lakshmi Radha Pooja Priya Neha Rani Rita Sarita Kavita Mamta Babita Lalita Sangeeta
Poonam Nisha Shashi Seema Reena Renu Pinki Rinki Sonam Sapna Jyoti Preeti Priyanka Anjali Anju
Archana Aarti Bhagwati Chanda Chandrawati Draupadi Durga Gayatri Gomti Indu Jamuna Ganga Janki
Kalawati Kanchan Kanti Kaushalya Khushboo Komal Lata Madhu Malti Maya Mala Mithlesh Munni Nirmala
Neelam Parvati Phoolmati Prabha Prema Rajkumari Rajni Ramkali Ramwati Rampyari Rashmi Ritu Ruby
Sadhna Sakshi Sandhya Sarla Shakuntala Shobha Shivani Shyama Sneha Sona Sudha Sujata Sushila Swati
Tara Uma Vandana Vidya Vimla Vinita Yashoda Sheela Leela Shalini Pratibha Aruna Beena Chandni
Deepa Divya Hema Jaya Kajal Kamini Karishma Mohini Namita Nandini Pallavi Rachna Radhika Roopa
Shweta Sonia Sunaina Tulsi Vaishali Varsha Shyamkali Sumitra Guddi Lekha Seeta
"""

MUSLIM_MALE = """
Irfan Salim Rashid Arif Imran Aslam Akram Iqbal Javed Shahid Nadeem Naseem Wasim Rizwan Sajid
Sadiq Shakeel Jameel Kaleem Naeem Rafiq Rahim Rahman Hasan Hussain Akbar Anwar Ashraf Azhar
Faheem Farooq Feroz Haneef Haroon Idris Ilyas Ismail Jabbar Kamal Khalid Mahmood Majid Mehboob
Mustafa Nasir Nawab Parvez Qasim Rafi Riyaz Sabir Sameer Shamim Sharif Shoaib Sultan Tahir Usman
Yusuf Zahid Zubair Aamir Adil Afzal Altaf Danish Faisal Gulzar Intezar Jahangir Junaid Nizam
Raees Sarfaraz Shahnawaz Tariq Zakir Hamid Qadir Aziz Karim Wahid Salam
"""

MUSLIM_FEMALE = """
Shabana Rukhsana Nazia Farzana Shabnam Reshma Ayesha Fatima Parveen Salma Zainab Noor Nasreen
Shaheen Sultana Rubina Tabassum Yasmin Zarina Zubeda Hasina Heena Jannat Khairunnisa Mehrunnisa
Mumtaz Najma Nargis Rehana Rabia Razia Sabra Saira Sajida Samina Shagufta Shama Shamshad Sitara
Sofia Suraiya Tarannum Uzma Anjum Afsana Amina Asma Bilqis Firdaus Gulshan Husna Ishrat Kausar
Mehjabeen Nafisa Noorjahan Sabiha Shirin
"""

HINDU_SURNAMES = """
Yadav Singh Sharma Verma Gupta Mishra Tiwari Pandey Chauhan Jatav Kushwaha Maurya Rajput Shukla
Srivastava Dubey Tripathi Chaudhary Agarwal Saxena Pal Prajapati Nishad Kashyap Saini Tyagi Jain
Rathore Thakur Rawat Bhati Nagar Gurjar Baghel Lodhi Rajbhar Patel Gaur Bhardwaj Vishwakarma
Sonkar Valmiki Kori Pasi Gautam Dixit Awasthi Bajpai Trivedi Chaturvedi Upadhyay Dwivedi Ojha
Pathak Rai Bhatt Joshi Arya Goel Bansal Mittal Garg Jindal Singhal Rastogi Khanna Kapoor Malhotra
Arora Chopra Sethi Bhatia Mehra Kohli Soni Sahu Kesarwani Jaiswal Chaurasia Kanaujia Bind Katiyar
Sachan Gangwar Shakya Bharti Diwakar Rajak Kardam Dhama Chandel Tomar Sisodia Parihar Solanki
Sengar Bhadauria Raghuvanshi Rao Tandon Kaushik Vaish Varshney
"""

MUSLIM_SURNAMES = """
Khan Ansari Qureshi Siddiqui Shaikh Ali Ahmad Rizvi Malik Saifi Mansuri Salmani Idrisi Abbasi
Hashmi Zaidi Naqvi Usmani Farooqui Alvi Faridi Raeen Pathan Mirza Beg Syed Jafri Kazmi Warsi
Nomani Hussaini Chaudhary
"""

# optional words: (word, weight) by group; "" = none
MIDDLE = {
    "hindu_male": (("", 45), ("Kumar", 30), ("Singh", 10), ("Lal", 5), ("Prasad", 5),
                   ("Chandra", 3), ("Nath", 2)),
    "hindu_female_older": (("", 40), ("Devi", 55), ("Kumari", 5)),
    "hindu_female_younger": (("", 50), ("Devi", 25), ("Kumari", 25)),
    "muslim_male": (("", 70), ("Ahmad", 12), ("Ali", 10), ("Hussain", 4), ("Uddin", 4)),
    "muslim_female": (("", 55), ("Begum", 20), ("Khatoon", 15), ("Bano", 10)),
}
MUSLIM_PREFIX = "Mohammad"
ABDUL = "Abdul"
ABDUL_NAMES = ("Rahman", "Rashid", "Hamid", "Jabbar", "Majid", "Qadir", "Aziz", "Karim",
               "Wahid", "Salam")

HONORIFICS = {
    "male": (("Shri", 40), ("Mr", 45), ("Sh", 10), ("Dr", 5)),
    "female": (("Smt", 45), ("Mrs", 35), ("Km", 10), ("Ms", 5), ("Dr", 5)),
}

# twins: rhyming pairs used for some twins (same surname, year and phone)
TWIN_PAIRS = {
    "male": (("Ram", "Shyam"), ("Lav", "Kush"), ("Sonu", "Monu"), ("Anil", "Sunil"),
             ("Ram", "Lakhan"), ("Hasan", "Hussain")),
    "female": (("Sita", "Gita"), ("Pinki", "Rinki"), ("Anita", "Sunita"), ("Rekha", "Lekha"),
               ("Geeta", "Seeta")),
}

# transliteration variants seen in registrations, beyond the generic spelling rules
SPELLINGS = {
    "Mohammad": ("Mohd", "Md", "Muhammad", "Mohammed", "Mohamad", "Mohd."),
    "Chauhan": ("Chouhan",), "Lakshmi": ("Laxmi", "Luxmi"), "Shyam": ("Syam", "Shyaam"),
    "Pooja": ("Puja",), "Sanjay": ("Sanjai",), "Vijay": ("Vijai",), "Ajay": ("Ajai",),
    "Krishna": ("Krisna", "Krishan"), "Mukesh": ("Mukes",), "Suresh": ("Sures",),
    "Sharma": ("Sarma",), "Mishra": ("Misra",), "Shukla": ("Sukla",),
    "Tiwari": ("Tiwary", "Tewari"), "Srivastava": ("Shrivastava", "Srivastav"),
    "Chaudhary": ("Choudhary", "Chaudhari", "Chaudhry"), "Qureshi": ("Kureshi", "Quraishi"),
    "Siddiqui": ("Siddiqi", "Sidiqui"), "Devi": ("Debi", "Devii"), "Kumari": ("Kumaree",),
    "Prasad": ("Prashad", "Parsad"), "Singh": ("Sing",), "Rahman": ("Rehman",),
    "Hussain": ("Husain", "Hussan"), "Yadav": ("Yadava", "Jadav"), "Kushwaha": ("Kushwah",),
    "Agarwal": ("Agrawal", "Aggarwal"), "Sita": ("Seeta",), "Geeta": ("Gita",),
    "Savitri": ("Savitry",), "Kamla": ("Kamala",), "Vimla": ("Vimala",), "Ganga": ("Gangaa",),
    "Ramesh": ("Rames",), "Rajendra": ("Rajender", "Rajinder"), "Surendra": ("Surender",),
    "Virendra": ("Virender", "Birendra"), "Dharmendra": ("Dharmender",),
    "Mahendra": ("Mahender",), "Jitendra": ("Jitender",), "Narendra": ("Narender",),
    "Devendra": ("Devender",), "Ashok": ("Asok",), "Santosh": ("Santos",),
    "Shabana": ("Sabana",), "Fatima": ("Fatma",), "Ayesha": ("Aisha", "Aysha"),
    "Yasmin": ("Yasmeen",), "Parveen": ("Parvin", "Perveen"), "Nasreen": ("Nasrin",),
    "Ahmad": ("Ahmed",), "Rashid": ("Rasheed",), "Shakeel": ("Shakil",), "Jameel": ("Jamil",),
    "Naseem": ("Nasim",), "Wasim": ("Waseem",), "Khatoon": ("Khatun",), "Begum": ("Begam",),
    "Shaikh": ("Sheikh", "Shekh"), "Ansari": ("Ansaari",), "Verma": ("Varma",),
    "Pandey": ("Pande", "Pandeya"), "Dubey": ("Dube",), "Maurya": ("Mourya",),
}

# Devanagari forms of the commonest words (a few registrants type the name in Hindi)
DEVANAGARI = {
    "Sunita": "सुनीता", "Anita": "अनीता", "Geeta": "गीता", "Sita": "सीता", "Rekha": "रेखा",
    "Savitri": "सावित्री", "Kamla": "कमला", "Pushpa": "पुष्पा", "Usha": "उषा", "Asha": "आशा",
    "Meena": "मीना", "Manju": "मंजू", "Suman": "सुमन", "Kiran": "किरण", "Saroj": "सरोज",
    "Urmila": "उर्मिला", "Shanti": "शांति", "Kusum": "कुसुम", "Lakshmi": "लक्ष्मी",
    "Radha": "राधा", "Pooja": "पूजा", "Priya": "प्रिया", "Neha": "नेहा", "Rani": "रानी",
    "Ram": "राम", "Rajesh": "राजेश", "Suresh": "सुरेश", "Ramesh": "रमेश", "Mukesh": "मुकेश",
    "Sunil": "सुनील", "Anil": "अनिल", "Rakesh": "राकेश", "Manoj": "मनोज", "Santosh": "संतोष",
    "Vinod": "विनोद", "Ashok": "अशोक", "Sanjay": "संजय", "Dinesh": "दिनेश",
    "Pradeep": "प्रदीप", "Vijay": "विजय", "Ajay": "अजय", "Amit": "अमित", "Rahul": "राहुल",
    "Deepak": "दीपक", "Raju": "राजू", "Shyam": "श्याम", "Krishna": "कृष्णा",
    "Mohan": "मोहन", "Irfan": "इरफान", "Salim": "सलीम", "Mohammad": "मोहम्मद",
    "Shabana": "शबाना", "Salma": "सलमा", "Kumar": "कुमार", "Devi": "देवी", "Kumari": "कुमारी",
    "Singh": "सिंह", "Lal": "लाल", "Prasad": "प्रसाद", "Yadav": "यादव", "Sharma": "शर्मा",
    "Verma": "वर्मा", "Gupta": "गुप्ता", "Mishra": "मिश्रा", "Tiwari": "तिवारी",
    "Pandey": "पांडेय", "Chauhan": "चौहान", "Jatav": "जाटव", "Kushwaha": "कुशवाहा",
    "Maurya": "मौर्य", "Rajput": "राजपूत", "Shukla": "शुक्ला", "Khan": "खान",
    "Ansari": "अंसारी", "Qureshi": "कुरैशी", "Begum": "बेगम", "Khatoon": "खातून",
    "Manju": "मंजू", "Rita": "रीता", "Sarita": "सरिता", "Kavita": "कविता", "Mamta": "ममता",
    "Babita": "बबीता", "Lalita": "ललिता", "Sangeeta": "संगीता", "Poonam": "पूनम",
    "Nisha": "निशा", "Seema": "सीमा", "Reena": "रीना", "Jyoti": "ज्योति", "Mahesh": "महेश",
    "Naresh": "नरेश", "Umesh": "उमेश", "Pankaj": "पंकज", "Sandeep": "संदीप",
    "Rajendra": "राजेन्द्र", "Surendra": "सुरेन्द्र", "Virendra": "वीरेन्द्र",
    "Dharmendra": "धर्मेन्द्र", "Pawan": "पवन", "Arvind": "अरविंद", "Ravi": "रवि",
    "Sachin": "सचिन", "Vikas": "विकास", "Neeraj": "नीरज", "Sonu": "सोनू", "Pappu": "पप्पू",
    "Chandra": "चन्द्र", "Nath": "नाथ", "Rani": "रानी", "Srivastava": "श्रीवास्तव",
    "Dubey": "दुबे", "Tripathi": "त्रिपाठी", "Chaudhary": "चौधरी", "Agarwal": "अग्रवाल",
    "Saxena": "सक्सेना", "Pal": "पाल", "Prajapati": "प्रजापति", "Nishad": "निषाद",
    "Kashyap": "कश्यप", "Saini": "सैनी", "Tyagi": "त्यागी", "Jain": "जैन",
    "Thakur": "ठाकुर", "Siddiqui": "सिद्दीकी", "Shaikh": "शेख", "Ali": "अली",
    "Ahmad": "अहमद", "Malik": "मलिक", "Saifi": "सैफी", "Bano": "बानो", "Imran": "इमरान",
    "Rashid": "राशिद", "Arif": "आरिफ", "Aslam": "असलम", "Javed": "जावेद",
}


def words(block: str) -> tuple[str, ...]:
    """Split a pool block, keeping first occurrences only (rank order)."""
    return tuple(dict.fromkeys(block.split()))
